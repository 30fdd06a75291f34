#include "registry/credential_helper.hpp"

// Boost 1.74's asio uses std::exchange without including <utility>; include it first (GCC 12, C++20).
#include <utility>
// Keep the line above apart from the Boost block so clang-format does not reorder it.
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

namespace hangar::registry {
namespace {

namespace bp = boost::process;

constexpr std::string_view kNotFound = "credentials not found";
constexpr std::string_view kTokenUsername = "<token>";

std::string trimmed(std::string_view text, std::size_t limit = 300) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  text = text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
  std::string out(text.substr(0, limit));
  if (text.size() > limit) out += "...";
  return out;
}

}  // namespace

std::optional<Credential> runCredentialHelperProgram(const std::filesystem::path& program,
                                                     std::string_view serverUrl,
                                                     std::chrono::seconds timeout) {
  const std::string name = "credential helper " + program.string();
  const std::string input(serverUrl);
  boost::asio::io_context io;
  std::future<std::string> out, err;
  std::error_code startError;
  bp::child child(program.string(), "get", bp::std_in<boost::asio::buffer(input), bp::std_out> out,
                  bp::std_err > err, io, startError);
  if (startError) throw std::runtime_error(name + " could not be started: " + startError.message());

  io.run_for(timeout);
  if (!io.stopped()) {
    std::error_code ignored;
    child.terminate(ignored);
    io.stop();
    throw std::runtime_error(name + " gave no answer within " + std::to_string(timeout.count()) + " s");
  }
  child.wait();
  const int exitCode = child.exit_code();
  const std::string stdoutText = out.get();
  const std::string stderrText = err.get();

  if (exitCode != 0) {
    if (stdoutText.find(kNotFound) != std::string::npos || stderrText.find(kNotFound) != std::string::npos)
      return std::nullopt;
    // A failing helper prints an error, never a credential, so its output is safe to show.
    std::string message = name + " failed with exit code " + std::to_string(exitCode);
    if (const auto text = trimmed(stdoutText + "\n" + stderrText); !text.empty()) message += ": " + text;
    throw std::runtime_error(message);
  }

  // The successful output holds the secret: errors below never quote it.
  const auto json = nlohmann::json::parse(stdoutText, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("Secret") || !json["Secret"].is_string() ||
      (json.contains("Username") && !json["Username"].is_string()))
    throw std::runtime_error(name + " did not print a JSON object with string fields Username and Secret");
  Credential credential;
  const std::string username = json.value("Username", "");
  const std::string secret = json["Secret"].get<std::string>();
  if (username == kTokenUsername) {
    credential.identityToken = secret;
  } else {
    credential.username = username;
    credential.password = secret;
  }
  return credential;
}

std::optional<Credential> runCredentialHelper(std::string_view helper, std::string_view serverUrl) {
  const std::string program = "docker-credential-" + std::string(helper);
  if (helper.empty() || helper.find('/') != std::string_view::npos)
    throw std::runtime_error("invalid credential helper name \"" + std::string(helper) + "\"");
  const auto path = bp::search_path(program);
  if (path.empty()) throw std::runtime_error("credential helper " + program + " is not on PATH");
  return runCredentialHelperProgram(path.string(), serverUrl);
}

}  // namespace hangar::registry
