#pragma once

namespace hangar::runner {

/// Owns one libgit2 object and frees it with `Free`; `out()` is the `T**` libgit2 fills in.
template <typename T, void (*Free)(T*)>
struct GitPtr {
  T* ptr = nullptr;
  GitPtr() = default;
  GitPtr(const GitPtr&) = delete;
  GitPtr& operator=(const GitPtr&) = delete;
  ~GitPtr() {
    if (ptr) Free(ptr);
  }
  T** out() { return &ptr; }
  T* get() const { return ptr; }
};

}  // namespace hangar::runner
