#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace hangar::agent {

/// The service's answer to /healthz: healthy, or the reason it is not (disk guard, store unavailable).
struct HealthReport {
  std::optional<std::string> problem;
};

/// The optional HTTP endpoint of `metrics.listen` (loopback by default): GET /metrics gives the
/// Prometheus text from `metrics`, GET /healthz gives 200 "ok" or 503 with the reason from `health`.
/// One worker thread; both callbacks run on it.
class MetricsServer {
 public:
  MetricsServer(std::function<std::string()> metrics, std::function<HealthReport()> health);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Binds `listen` (HOST:PORT, an IPv6 host in brackets) and serves in the background. Throws
  /// std::runtime_error naming the address when it cannot bind.
  void start(const std::string& listen);
  /// Stops serving (also done by the destructor).
  void stop();

 private:
  std::function<std::string()> metrics_;
  std::function<HealthReport()> health_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace hangar::agent
