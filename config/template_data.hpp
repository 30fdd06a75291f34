#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace hangar::config {

/// The `.Run` object of a task template (§3.2); every value is a string, empty when unknown.
struct RunVariables {
  std::string id;            // e.g. "ca1"
  std::string sharedVolume;  // name of the shared /workspace volume
  std::string registry;      // login server, e.g. "myreg.azurecr.io" or "127.0.0.1:5000"
  std::string registryName;  // registry up to the first '.'
  std::string date;          // UTC start, "yyyyMMdd-HHmmss" + "z"
  std::string os = "linux";
  std::string osVersion;
  std::string architecture = "amd64";
  std::string commit;
  std::string branch;
  std::string repository;
  std::string gitTag;
  std::string triggeredBy;
  std::string taskName;
};

/// Everything a task template can read: `.Run`, `.Values`, `.Secrets` (§3.2).
struct TemplateData {
  RunVariables run;
  nlohmann::json values = nlohmann::json::object();
  std::map<std::string, std::string> secrets;
};

}  // namespace hangar::config
