#pragma once

#include <cstdint>
#include <string>

namespace hangar::agent {

/// What releaseStartupMemory() gave back.
struct StartupMemoryRelease {
  std::uint64_t fileBytes = 0;  // clean file-backed pages unmapped (they stay in the page cache)
  std::size_t mappings = 0;     // read-only file mappings they came from
  bool heapTrimmed = false;     // malloc_trim returned free heap to the kernel
};

/// Gives back what the service needed only to start: malloc_trim(0) returns freed heap, and the pages of
/// read-only, unmodified file mappings (the binary's and the shared libraries' code and symbol tables,
/// which dynamic linking of ~60 libraries reads once) are unmapped with MADV_DONTNEED. Only mappings
/// with no private (copied-on-write) page are touched (RELRO holds relocated pointers and is skipped),
/// so nothing changes but residency: a page used again comes back from the page cache (a minor fault).
/// Safe to call with other threads running; errors leave the mapping as it was.
StartupMemoryRelease releaseStartupMemory();

}  // namespace hangar::agent
