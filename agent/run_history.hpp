#pragma once

#include <filesystem>
#include <string>

#include "runner/run_record.hpp"

namespace hangar::agent {

/// The hook `hangar run-once` calls to keep its run in the run store of `stateDir` (runs.db, the same
/// file the service uses), as an ad-hoc run with trigger "manual". Call it with the Running record at the
/// start and again with the final one (insert or update by id). Never throws: a state directory that is
/// not writable only loses the history, so it returns false and the error in `error`.
bool recordRunOnceRun(const std::filesystem::path& stateDir, const runner::RunRecord& record,
                      std::string* error = nullptr);

}  // namespace hangar::agent
