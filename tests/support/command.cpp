#include "tests/support/command.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/process.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace hangar::test {
namespace {

namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

constexpr auto kKillGrace = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(5);

/// Appends everything that arrives on `pipe` to `sink` until end of file.
void read_until_eof(bp::async_pipe& pipe, std::string& sink, std::array<char, 8192>& buffer) {
  pipe.async_read_some(boost::asio::buffer(buffer),
                       [&pipe, &sink, &buffer](const boost::system::error_code& ec, std::size_t n) {
                         sink.append(buffer.data(), n);
                         if (!ec) read_until_eof(pipe, sink, buffer);
                       });
}

/// Waits until the child has exited or `deadline` passes; true when it exited.
bool wait_until(bp::child& child, Clock::time_point deadline) {
  std::error_code ec;
  while (child.running(ec)) {
    if (ec) throw std::runtime_error("waiting for a child process: " + ec.message());
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

boost::filesystem::path resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  boost::filesystem::path found = bp::search_path(name);
  if (found.empty()) throw std::runtime_error("cannot start " + name + ": not found in PATH");
  return found;
}

}  // namespace

std::string CommandResult::describe() const {
  std::ostringstream text;
  text << "exit code " << exit_code;
  if (signal != 0) text << " (signal " << signal << ")";
  if (timed_out) text << " (timed out)";
  text << "\n--- stdout ---\n" << out << "\n--- stderr ---\n" << err << "\n";
  return text.str();
}

CommandResult run_command(const std::vector<std::string>& argv, const CommandOptions& options) {
  // A child that exits without reading its stdin must give us EPIPE, not kill the test.
  static const bool sigpipe_ignored = (::signal(SIGPIPE, SIG_IGN), true);
  (void)sigpipe_ignored;
  if (argv.empty()) throw std::invalid_argument("run_command: empty argv");
  const boost::filesystem::path program = resolve_program(argv[0]);
  const std::vector<std::string> args(argv.begin() + 1, argv.end());

  bp::environment env = boost::this_process::environment();
  for (const auto& [key, value] : options.env) env.set(key, value);  // not [], see process_launcher.cpp
  for (const auto& key : options.unset_env) env.erase(key);
  const boost::filesystem::path cwd =
      options.cwd.empty() ? boost::filesystem::current_path() : boost::filesystem::path(options.cwd.string());

  boost::asio::io_context io;
  bp::async_pipe in_pipe(io), out_pipe(io), err_pipe(io);
  bp::group group;
  CommandResult result;
  bp::child child;
  try {
    child = bp::child(program, bp::args(args), (bp::std_in < in_pipe), (bp::std_out > out_pipe),
                      (bp::std_err > err_pipe), bp::start_dir(cwd), env, group);
  } catch (const bp::process_error& e) {
    throw std::runtime_error("cannot start " + program.string() + ": " + e.what());
  }

  std::array<char, 8192> out_buffer{}, err_buffer{};
  read_until_eof(out_pipe, result.out, out_buffer);
  read_until_eof(err_pipe, result.err, err_buffer);
  boost::asio::async_write(in_pipe, boost::asio::buffer(options.input),
                           [&in_pipe](const boost::system::error_code&, std::size_t) {
                             boost::system::error_code ignored;  // the child may exit without reading
                             in_pipe.close(ignored);
                           });

  const auto deadline = Clock::now() + options.timeout;
  io.run_until(deadline);  // returns early once both output pipes reach end of file
  if (!wait_until(child, deadline)) {
    result.timed_out = true;
    ::killpg(group.native_handle(), SIGTERM);
    if (!wait_until(child, Clock::now() + kKillGrace)) {
      std::error_code ec;
      group.terminate(ec);
      child.wait(ec);
    }
  }
  // Collect what is still buffered; a grandchild that keeps a pipe open cannot hold us for long.
  io.run_for(std::chrono::seconds(1));
  std::error_code ec;
  group.terminate(ec);  // nothing of the command outlives it

  const int status = child.native_exit_code();
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

CommandResult run_checked(const std::vector<std::string>& argv, const CommandOptions& options) {
  return checked(argv, run_command(argv, options));
}

CommandResult checked(const std::vector<std::string>& argv, CommandResult result) {
  if (result.exit_code != 0) {
    std::string line;
    for (const auto& arg : argv) line += (line.empty() ? "" : " ") + arg;
    throw std::runtime_error("command failed: " + line + "\n" + result.describe());
  }
  return result;
}

}  // namespace hangar::test
