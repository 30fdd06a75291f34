#include "agent/doctor.hpp"

#include <nlohmann/json.hpp>
#include <system_error>

#include "runner/process_launcher.hpp"

namespace hangar::agent {
namespace {

using registry::DoctorCheck;
using Status = DoctorCheck::Status;
constexpr std::uintmax_t kGiB = 1024ull * 1024 * 1024;

std::string gib(std::uintmax_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(kGiB));
  return text;
}

// The nearest existing ancestor of `path` (a state dir may not exist yet).
std::filesystem::path existingAncestor(std::filesystem::path path) {
  std::error_code ec;
  while (!path.empty() && !std::filesystem::exists(path, ec) && path != path.root_path())
    path = path.parent_path();
  return path.empty() ? std::filesystem::path("/") : path;
}

DoctorCheck diskCheck(const std::string& what, const std::filesystem::path& path) {
  const auto where = existingAncestor(path);
  std::error_code ec;
  const auto space = std::filesystem::space(where, ec);
  if (ec) return {"free disk (" + what + ")", Status::Fail, where.string() + ": " + ec.message(), ""};
  const std::string detail = gib(space.available) + " free at " + where.string();
  if (space.available < kGiB) {
    return {"free disk (" + what + ")", Status::Fail, detail,
            "builds need room for base images and layers: free space or grow the disk"};
  }
  if (space.available < 5 * kGiB) {
    return {"free disk (" + what + ")", Status::Warn, detail, "less than 5 GiB: large builds may run out"};
  }
  return {"free disk (" + what + ")", Status::Pass, detail, ""};
}

}  // namespace

std::vector<DoctorCheck> diagnoseHost(const DoctorOptions& options) {
  std::vector<DoctorCheck> checks;
  const std::string binary = options.engine.binary.empty() ? options.engine.kind : options.engine.binary;
  auto launcher = runner::makeSystemProcessLauncher();
  std::string output;
  const auto collect = [&output](std::string_view chunk) {
    if (output.size() < 4096) output += chunk;
  };
  const auto version =
      launcher->run({{binary, "version"}, {}, {}, std::nullopt}, collect, std::chrono::seconds(30));
  if (!version.ok()) {
    checks.push_back({"engine", Status::Fail,
                      binary + " does not run: " + (version.error.empty() ? output : version.error),
                      "install it (scripts/install-deps.sh installs buildah) or set the engine binary"});
  } else {
    std::string first = output.substr(0, output.find('\n'));
    checks.push_back({"engine", Status::Pass, binary + ": " + first, ""});
    output.clear();
    std::vector<std::string> argv = {binary};
    if (options.engine.kind == "buildah") {
      argv.insert(argv.end(), {"--storage-driver", options.engine.storageDriver, "images", "--quiet"});
    } else {
      argv.insert(argv.end(), {"info"});
    }
    const auto images = launcher->run({argv, {}, {}, std::nullopt}, collect, std::chrono::seconds(120));
    if (images.ok()) {
      checks.push_back({"engine storage", Status::Pass, binary + " can read its image storage", ""});
    } else {
      checks.push_back({"engine storage", Status::Fail,
                        "'" + argv[0] + " " + argv[1] + " ...' failed: " + output.substr(0, 400),
                        "the storage is unusable: check its driver (vfs on these machines) and permissions "
                        "(run as root)"});
    }
  }
  checks.push_back(diskCheck("state", options.stateDir));
  checks.push_back(diskCheck("engine storage", options.engineStorage));
  return checks;
}

int runDoctor(const DoctorOptions& options, std::ostream& out) {
  auto checks = diagnoseHost(options);
  if (options.registry) {
    for (auto& check : registry::diagnoseRegistry(*options.registry)) {
      check.name = "registry " + check.name;
      checks.push_back(std::move(check));
    }
  }
  for (const auto& [host, source] : options.azureCredentials) {
    for (auto& check : registry::diagnoseAzureCredential(source)) {
      check.name = host + " " + check.name;
      checks.push_back(std::move(check));
    }
  }
  bool ok = true;
  for (const auto& check : checks) ok = ok && check.status != Status::Fail;
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& check : checks) {
      list.push_back({{"name", check.name},
                      {"status", registry::statusName(check.status)},
                      {"detail", check.detail},
                      {"hint", check.hint}});
    }
    out << nlohmann::json{{"ok", ok}, {"checks", list}}.dump(2) << "\n";
  } else {
    for (const auto& check : checks) {
      std::string label = registry::statusName(check.status);
      for (auto& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out << "[" << label << "] " << check.name << ": " << check.detail << "\n";
      if (!check.hint.empty()) out << "       fix: " << check.hint << "\n";
    }
    out << (ok ? "All checks passed.\n" : "Some checks failed.\n");
  }
  return ok ? 0 : 1;
}

}  // namespace hangar::agent
