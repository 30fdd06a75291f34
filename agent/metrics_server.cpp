#include "agent/metrics_server.hpp"

#include <httplib.h>

#include <stdexcept>

namespace hangar::agent {

MetricsServer::MetricsServer(std::function<std::string()> metrics, std::function<HealthReport()> health)
    : metrics_(std::move(metrics)), health_(std::move(health)) {}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::start(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("metrics.listen '" + listen + "' is not HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const int port = std::stoi(listen.substr(colon + 1));
  server_ = std::make_unique<httplib::Server>();
  server_->new_task_queue = [] { return new httplib::ThreadPool(1); };  // a small, fixed footprint
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    try {
      response.set_content(metrics_(), "text/plain; version=0.0.4; charset=utf-8");
    } catch (const std::exception& e) {
      response.status = 500;
      response.set_content(std::string("metrics unavailable: ") + e.what() + "\n", "text/plain");
    }
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    HealthReport report;
    try {
      report = health_();
    } catch (const std::exception& e) {
      report.problem = e.what();
    }
    response.status = report.problem ? 503 : 200;
    response.set_content(report.problem ? "unhealthy: " + *report.problem + "\n" : "ok\n", "text/plain");
  });
  if (!server_->bind_to_port(host, port)) {
    server_.reset();
    throw std::runtime_error("cannot listen on " + listen +
                             " (metrics.listen): the address is in use or not local");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void MetricsServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace hangar::agent
