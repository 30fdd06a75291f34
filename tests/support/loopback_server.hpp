#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace hangar::test {

/// A cpp-httplib server on 127.0.0.1 at a kernel-chosen port, listening on its own thread from start()
/// until destruction. Register handlers on server() before start().
class LoopbackServer {
 public:
  LoopbackServer() = default;
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  httplib::Server& server() { return server_; }
  /// Binds, starts the listening thread and returns once the server accepts connections.
  void start();
  int port() const { return port_; }
  /// "127.0.0.1:PORT".
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  /// "http://127.0.0.1:PORT".
  std::string url() const { return "http://" + host(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace hangar::test
