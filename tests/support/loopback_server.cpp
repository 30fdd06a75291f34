#include "tests/support/loopback_server.hpp"

#include <chrono>
#include <stdexcept>

namespace hangar::test {

void LoopbackServer::start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("LoopbackServer: cannot bind a port on 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // Wait (with a deadline) until the listening loop runs; the socket is already bound, so connections
  // made before that are queued by the kernel anyway.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
}

LoopbackServer::~LoopbackServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace hangar::test
