#include "config/go_template.hpp"

#include "config/go_template_exec.hpp"
#include "config/go_template_functions.hpp"
#include "config/go_template_parser.hpp"
#include "config/go_template_value.hpp"

namespace hangar::config {

TemplateError::TemplateError(int line, int column, std::string message)
    : std::runtime_error(std::to_string(line) + ":" + std::to_string(column) + ": " + message),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

RenderedTemplate renderGoTemplate(std::string_view text, const nlohmann::json& data,
                                  const TemplateOptions& options) {
  const gotemplate::FunctionTable& functions = gotemplate::templateFunctions();
  const std::function<bool(const std::string&)> isFunction = [&](const std::string& name) {
    return functions.find(name) != functions.end();
  };
  const std::vector<gotemplate::Node> nodes = gotemplate::parseTemplate(text, isFunction);
  return gotemplate::executeTemplate(text, nodes, data, options);
}

nlohmann::json templateRoot(const TemplateData& data) {
  const RunVariables& r = data.run;
  std::string registryName = r.registryName;
  if (registryName.empty()) registryName = r.registry.substr(0, r.registry.find('.'));
  nlohmann::json run = {
      {"ID", r.id},
      {"SharedVolume", r.sharedVolume},
      {"Registry", r.registry},
      {"RegistryName", registryName},
      {"Date", r.date},
      {"OS", r.os},
      {"OSVersion", r.osVersion},
      {"Architecture", r.architecture},
      {"Commit", r.commit},
      {"Branch", r.branch},
      {"Repository", r.repository},
      {"GitTag", r.gitTag},
      {"TriggeredBy", r.triggeredBy},
      {"TaskName", r.taskName},
  };
  nlohmann::json secrets = nlohmann::json::object();
  for (const auto& [id, value] : data.secrets) secrets[id] = value;
  const nlohmann::json values = data.values.is_null() ? nlohmann::json::object() : data.values;
  std::string valuesJson;
  try {
    valuesJson = gotemplate::toGoJson(values);
  } catch (const std::domain_error&) {
    valuesJson = "null";
  }
  return {
      {"Run", run},
      {"Build", {{"ID", r.id}}},
      {"Values", values},
      {"Secrets", secrets},
      {"ValuesJSON", gotemplate::shellQuote(valuesJson)},
      {"RunJSON", gotemplate::shellQuote(gotemplate::toGoJson(run))},
  };
}

}  // namespace hangar::config
