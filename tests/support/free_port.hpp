#pragma once

namespace hangar::test {

/// Asks the kernel for a TCP port that is free on 127.0.0.1 right now (bind to port 0, read it back,
/// close). Another process may take it before the caller binds: callers retry on "address in use".
int pick_free_loopback_port();

}  // namespace hangar::test
