#pragma once

// Finds the shared conformance corpus (real task files, see ../shared/conformance/README.md).

#include <filesystem>
#include <optional>

namespace hangar::test {

/// The folder holding the corpus (with its azure-samples/): $HANGAR_CONFORMANCE_DIR, else
/// ../shared/conformance beside the source tree (where CI puts it), else /work/shared/conformance.
/// Nothing when none of them holds azure-samples/.
std::optional<std::filesystem::path> find_conformance_corpus();

/// True when the environment says CI=true: a missing corpus then fails the suite instead of skipping it.
bool running_in_ci();

}  // namespace hangar::test
