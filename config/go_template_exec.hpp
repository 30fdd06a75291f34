#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "config/go_template.hpp"
#include "config/go_template_parser.hpp"

namespace hangar::config::gotemplate {

/// Executes parsed nodes against `data` as Go's text/template does with missingkey=zero: missing map
/// keys (and fields of nil) are nil, and an action whose value is nil prints nothing. `text` is the
/// template the nodes came from (for positions). Throws TemplateError.
RenderedTemplate executeTemplate(std::string_view text, const std::vector<Node>& nodes,
                                 const nlohmann::json& data, const TemplateOptions& options);

}  // namespace hangar::config::gotemplate
