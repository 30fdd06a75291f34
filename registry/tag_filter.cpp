#include "registry/tag_filter.hpp"

#include <stdexcept>

namespace hangar::registry {

FilterExpression parseFilterExpression(std::string_view filter) {
  std::vector<std::string> parts(1);
  int groups = 0;
  bool inClass = false;
  for (size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c == '\\' && i + 1 < filter.size()) {
      parts.back() += c;
      parts.back() += filter[++i];
      continue;
    }
    if (inClass) {
      if (c == ']') inClass = false;
    } else if (c == '[') {
      inClass = true;
      if (i + 1 < filter.size() && filter[i + 1] == ']') parts.back() += filter[++i];  // "[]...]" literal
    } else if (c == '(') {
      ++groups;
    } else if (c == ')' && groups > 0) {
      --groups;
    } else if (c == ':' && groups == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  if (parts.size() != 2) throw std::invalid_argument("unable to correctly parse filter flag");
  if (parts[0].empty()) throw std::invalid_argument("missing repository name/expression");
  if (parts[1].empty()) throw std::invalid_argument("missing tag name/expression");
  return {parts[0], parts[1]};
}

TagFilter::TagFilter(const std::vector<std::string>& filters) {
  for (const auto& filter : filters) {
    const auto expression = parseFilterExpression(filter);
    try {
      filters_.push_back({boost::regex("^(?:" + expression.repository + ")$", boost::regex::perl),
                          boost::regex(expression.tag, boost::regex::perl)});
    } catch (const boost::regex_error& e) {
      throw std::invalid_argument("invalid filter \"" + filter + "\": " + e.what());
    }
  }
}

bool TagFilter::matchesRepository(const std::string& repository) const {
  for (const auto& filter : filters_) {
    if (boost::regex_match(repository, filter.repository)) return true;
  }
  return false;
}

bool TagFilter::matchesTag(const std::string& repository, const std::string& tag) const {
  for (const auto& filter : filters_) {
    if (!boost::regex_match(repository, filter.repository)) continue;
    try {
      if (boost::regex_search(tag, filter.tag)) return true;
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("matching tag \"" + tag + "\" of " + repository + " gave up: " + e.what());
    }
  }
  return false;
}

}  // namespace hangar::registry
