#pragma once
// Test helper (header only): smart HTTP for git (`git http-backend` as CGI) and plain files, behind an
// optional basic-auth check, served by cpp-httplib on 127.0.0.1.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "tests/support/command.hpp"

namespace hangar::test {

/// A loopback HTTP server: `/git/<repo>.git/...` runs git http-backend over `gitRoot`; other GETs call
/// `files`. With `user`/`password` set, every request needs matching basic auth (else 401).
class GitHttpTestServer {
 public:
  std::string user, password;
  std::function<void(const httplib::Request&, httplib::Response&)> files;
  std::atomic<int> requests{0};

  explicit GitHttpTestServer(std::filesystem::path gitRoot) : gitRoot_(std::move(gitRoot)) {
    auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      ++requests;
      if (!password.empty() && request.get_header_value("Authorization") !=
                                   httplib::make_basic_authentication_header(user, password).second) {
        response.status = 401;
        response.set_header("WWW-Authenticate", "Basic realm=\"hangar-test\"");
        return;
      }
      if (request.path.rfind("/git/", 0) == 0)
        cgi(request, response);
      else if (files)
        files(request, response);
      else
        response.status = 404;
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // waiting for a condition, with a deadline
  }
  ~GitHttpTestServer() {
    server_.stop();
    thread_.join();
  }
  GitHttpTestServer(const GitHttpTestServer&) = delete;
  GitHttpTestServer& operator=(const GitHttpTestServer&) = delete;

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void cgi(const httplib::Request& request, httplib::Response& response) {
    CommandOptions options;
    options.input = request.body;
    options.env = {{"GIT_PROJECT_ROOT", gitRoot_.string()},
                   {"GIT_HTTP_EXPORT_ALL", "1"},
                   {"REQUEST_METHOD", request.method},
                   {"PATH_INFO", request.path.substr(4)},
                   {"QUERY_STRING", query(request)},
                   {"CONTENT_TYPE", request.get_header_value("Content-Type")},
                   {"CONTENT_LENGTH", std::to_string(request.body.size())},
                   {"HTTP_CONTENT_ENCODING", request.get_header_value("Content-Encoding")},
                   {"GIT_PROTOCOL", request.get_header_value("Git-Protocol")},
                   {"REMOTE_USER", user},
                   {"REMOTE_ADDR", "127.0.0.1"}};
    CommandResult result = run_command({"git", "http-backend"}, options);
    std::string& out = result.out;
    auto end = out.find("\r\n\r\n");
    std::size_t skip = 4;
    if (end == std::string::npos) {
      end = out.find("\n\n");
      skip = 2;
    }
    if (end == std::string::npos) {
      response.status = 500;
      response.set_content(result.describe(), "text/plain");
      return;
    }
    std::string headers = out.substr(0, end);
    std::string contentType = "application/octet-stream";
    std::size_t start = 0;
    while (start < headers.size()) {
      auto stop = headers.find('\n', start);
      std::string line = headers.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      start = stop == std::string::npos ? headers.size() : stop + 1;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon), value = line.substr(colon + 2);
      if (name == "Status")
        response.status = std::stoi(value);
      else if (name == "Content-Type")
        contentType = value;
      else
        response.set_header(name, value);
    }
    response.set_content(out.substr(end + skip), contentType);
  }
  static std::string query(const httplib::Request& request) {
    std::string text;
    for (const auto& [key, value] : request.params) text += (text.empty() ? "" : "&") + key + "=" + value;
    return text;
  }

  std::filesystem::path gitRoot_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace hangar::test
