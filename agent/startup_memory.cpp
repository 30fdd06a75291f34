#include "agent/startup_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hangar::agent {

namespace {

// One mapping of /proc/self/smaps with what decides whether its pages can be dropped.
struct Mapping {
  std::uintptr_t start = 0, end = 0;
  std::string perms;
  unsigned long inode = 0;
  std::string path;
  std::uint64_t rssKb = 0;
  std::uint64_t anonymousKb = 0;  // copied-on-write pages: never dropped
  std::uint64_t lockedKb = 0;
};

std::vector<Mapping> readMappings() {
  std::vector<Mapping> mappings;
  std::ifstream in("/proc/self/smaps");
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long start = 0, end = 0;
    char perms[8] = {};
    unsigned long long offset = 0;
    char device[16] = {};
    unsigned long inode = 0;
    int pathAt = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %15s %lu %n", &start, &end, perms, &offset, device,
                    &inode, &pathAt) >= 6 &&
        line.find(':') > line.find(' ')) {
      Mapping mapping;
      mapping.start = start;
      mapping.end = end;
      mapping.perms = perms;
      mapping.inode = inode;
      if (pathAt > 0 && static_cast<std::size_t>(pathAt) <= line.size()) mapping.path = line.substr(pathAt);
      mappings.push_back(std::move(mapping));
      continue;
    }
    if (mappings.empty()) continue;
    std::istringstream fields(line);
    std::string key;
    std::uint64_t kb = 0;
    fields >> key >> kb;
    if (key == "Rss:") mappings.back().rssKb = kb;
    if (key == "Anonymous:") mappings.back().anonymousKb = kb;
    if (key == "Locked:") mappings.back().lockedKb = kb;
  }
  return mappings;
}

// A private, read-only mapping of a regular file whose every page is the file's own (no copy-on-write):
// dropping it loses nothing.
bool droppable(const Mapping& mapping) {
  return mapping.inode != 0 && mapping.perms.size() == 4 && mapping.perms[1] == '-' &&
         mapping.perms[3] == 'p' && mapping.anonymousKb == 0 && mapping.lockedKb == 0 && mapping.rssKb > 0 &&
         !mapping.path.empty() && mapping.path.front() == '/' &&
         mapping.path.find(" (deleted)") == std::string::npos;
}

}  // namespace

StartupMemoryRelease releaseStartupMemory() {
  StartupMemoryRelease release;
  release.heapTrimmed = malloc_trim(0) != 0;
  for (const auto& mapping : readMappings()) {
    if (!droppable(mapping)) continue;
    if (::madvise(reinterpret_cast<void*>(mapping.start), mapping.end - mapping.start, MADV_DONTNEED) != 0)
      continue;
    release.fileBytes += mapping.rssKb * 1024;
    ++release.mappings;
  }
  return release;
}

}  // namespace hangar::agent
