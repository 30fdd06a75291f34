#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "runner/log_sink.hpp"
#include "runner/secret_masker.hpp"

namespace hangar::runner {

/// A LogSink decorator that replaces secret values (and their base64 and URL-encoded forms) with
/// `***` before anything reaches the sink it wraps. Step output is a stream cut at arbitrary
/// points, so each step keeps back the few trailing bytes that could begin a secret until its next
/// chunk or stepFinished(); a secret split across chunks is still masked. Thread-safe.
class MaskingLog : public LogSink {
 public:
  explicit MaskingLog(LogSink& inner, const std::vector<std::string>& secrets = {});
  /// Emits what is still held (a destructor cannot report errors: call flush() first to see them).
  ~MaskingLog() override;
  MaskingLog(const MaskingLog&) = delete;
  MaskingLog& operator=(const MaskingLog&) = delete;

  /// Masks `secret` from now on; an empty one is ignored.
  void addSecret(std::string_view secret);

  void info(std::string_view line) override;
  void output(std::string_view stepId, std::string_view chunk) override;
  void stepFinished(std::string_view stepId) override;
  /// Emits every step's held bytes, as if each step had finished.
  void flush();

  /// `text` masked with the registered secrets (for error messages and records).
  std::string mask(std::string_view text) const;

 private:
  void emitHeld(const std::string& stepId, std::string& held);

  LogSink& inner_;
  mutable std::mutex mutex_;
  SecretMasker masker_;
  std::map<std::string, std::string, std::less<>> held_;  // step id -> bytes not yet emitted
};

}  // namespace hangar::runner
