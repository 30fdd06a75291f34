#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/source_text.hpp"

namespace hangar::config {

/// Replaces `<d>name` tokens in `source` with alias values, exactly as acb's state machine (§3.5):
/// `name` is the longest [A-Za-z0-9] run after the directive `d` (one code point); a known name is
/// replaced and its terminator kept, and a terminator that is the directive starts the next alias at
/// once (`$ID$Date`); an unknown name is copied with its directive and terminator (`$HOME`, `${X}`);
/// `<d><d>` right after a directive is a literal `<d>`. Values are inserted verbatim and never
/// re-scanned (#528); lines a multi-line value adds map to the line it was inserted on.
SourceText substituteAliases(const SourceText& source, const std::map<std::string, std::string>& aliases,
                             char32_t directive);

/// Image alias expansion (§3.5, last bullet): when the first whitespace-separated token of the trimmed
/// `cmd` is an alias key, the command with that token replaced by the value; otherwise nothing.
std::optional<std::string> expandImageAlias(std::string_view cmd,
                                            const std::map<std::string, std::string>& aliases);

}  // namespace hangar::config
