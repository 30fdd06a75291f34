#include "registry/registry_doctor.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>

#include "registry/auth_challenge.hpp"
#include "registry/image_reference.hpp"
#include "registry/token_authenticator.hpp"

namespace hangar::registry {
namespace {

using Status = DoctorCheck::Status;

struct Target {
  std::string host;
  std::string port;
  std::string scheme;
};

Target targetOf(const RegistryDoctorOptions& options) {
  Target target;
  const std::string& registry = options.registry;
  const auto colon = registry.rfind(':');
  const bool bracketed = registry.starts_with('[');
  if (colon != std::string::npos && (!bracketed || registry[colon - 1] == ']')) {
    target.host = registry.substr(0, colon);
    target.port = registry.substr(colon + 1);
  } else {
    target.host = registry;
  }
  if (bracketed) target.host = target.host.substr(1, target.host.size() - 2);
  const bool plain = options.http.caBundle.empty() &&
                     (isLoopbackRegistry(registry) || options.http.insecureHosts.contains(registry) ||
                      options.http.insecureHosts.contains(target.host));
  target.scheme = plain ? "http" : "https";
  if (target.port.empty()) target.port = plain ? "80" : "443";
  return target;
}

std::string addressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  }
  return text;
}

struct Resolved {
  std::vector<std::string> addresses;
  std::string error;
};

Resolved resolve(const Target& target) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  Resolved resolved;
  if (const int rc = getaddrinfo(target.host.c_str(), target.port.c_str(), &hints, &list); rc != 0) {
    resolved.error = gai_strerror(rc);
    return resolved;
  }
  for (auto* item = list; item; item = item->ai_next) {
    const std::string text = addressText(item->ai_addr);
    if (std::find(resolved.addresses.begin(), resolved.addresses.end(), text) == resolved.addresses.end()) {
      resolved.addresses.push_back(text);
    }
  }
  freeaddrinfo(list);
  return resolved;
}

// Connects to address:port within `timeout`; "" on success, else the reason.
std::string connectTo(const std::string& address, const std::string& port,
                      std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (getaddrinfo(address.c_str(), port.c_str(), &hints, &list) != 0 || !list) return "not a numeric address";
  const int fd = socket(list->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  std::string reason;
  if (fd < 0) {
    reason = std::strerror(errno);
  } else if (connect(fd, list->ai_addr, list->ai_addrlen) != 0 && errno != EINPROGRESS) {
    reason = std::strerror(errno);
  } else {
    pollfd poller{fd, POLLOUT, 0};
    const int ready = poll(&poller, 1, static_cast<int>(timeout.count()));
    int error = 0;
    socklen_t length = sizeof error;
    if (ready == 0) {
      reason = "timed out after " + std::to_string(timeout.count()) + " ms";
    } else if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      reason = std::strerror(errno);
    } else if (error != 0) {
      reason = std::strerror(error);
    }
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(list);
  return reason;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The first error code and message of a distribution error body.
std::pair<std::string, std::string> errorOf(const std::string& body) {
  try {
    const auto json = nlohmann::json::parse(body);
    if (json.contains("errors") && json["errors"].is_array() && !json["errors"].empty()) {
      const auto& first = json["errors"][0];
      return {first.value("code", ""), first.contains("message") && first["message"].is_string()
                                           ? first["message"].get<std::string>()
                                           : ""};
    }
  } catch (const nlohmann::json::exception&) {
  }
  return {};
}

std::string statusText(const HttpResponse& response) {
  auto [code, message] = errorOf(response.body);
  std::string text = "HTTP " + std::to_string(response.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  return text;
}

bool isTlsProblem(const std::string& message) {
  for (const char* word : {"SSL", "certificate", "TLS", "ssl"}) {
    if (message.find(word) != std::string::npos) return true;
  }
  return false;
}

DoctorCheck denial(const std::string& name, const HttpResponse& response) {
  const std::string ip = firewallDeniedIp(response.body);
  if (!ip.empty()) {
    return {name, Status::Fail, "HTTP 403 DENIED: client with IP '" + ip + "' is not allowed access",
            firewallHint(ip)};
  }
  return {name, Status::Fail, statusText(response),
          response.status == 403
              ? "the identity is known but lacks this permission: grant it a role such as "
                "AcrPull (pull) or AcrPush (push), or a token with this repository's scope"
              : "the credentials were refused: check they are current (a password or token "
                "may have expired or been rotated)"};
}

}  // namespace

const char* statusName(DoctorCheck::Status status) {
  switch (status) {
    case Status::Pass:
      return "pass";
    case Status::Warn:
      return "warn";
    case Status::Fail:
      return "fail";
    case Status::Skip:
      return "skip";
  }
  return "fail";
}

bool isPrivateAddress(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    const uint32_t ip = ntohl(v4.s_addr);
    const auto in = [ip](uint32_t network, int bits) {
      return (ip >> (32 - bits)) == (network >> (32 - bits));
    };
    return in(0x7F000000, 8) || in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16) ||
           in(0xA9FE0000, 16) || in(0x64400000, 10);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_LINKLOCAL(&v6)) return true;
    return (v6.s6_addr[0] & 0xFE) == 0xFC;  // fc00::/7 unique local
  }
  return false;
}

std::string firewallDeniedIp(const std::string& body) {
  std::string text = body;
  for (std::string::size_type at; (at = text.find("\\u0027")) != std::string::npos;) text.replace(at, 6, "'");
  static const std::regex pattern(R"(client with IP '([^']*)' is not allowed access)");
  std::smatch match;
  if (std::regex_search(text, match, pattern)) return match[1].str();
  return "";
}

std::string firewallHint(const std::string& ip) {
  return "the registry's firewall (its network rules) does not allow this machine's address " + ip +
         ", which is the address the registry sees. Fix: reach the registry through a private endpoint in "
         "this "
         "machine's virtual network (with the privatelink.azurecr.io DNS zone linked, so the name resolves "
         "to a "
         "private address), or add an IP rule for " +
         ip +
         ". 'Allow trusted services' (network bypass) does not help: it only admits Azure services such as "
         "ACR "
         "Tasks, never a VM";
}

std::vector<DoctorCheck> diagnoseRegistry(const RegistryDoctorOptions& options) {
  std::vector<DoctorCheck> checks;
  const Target target = targetOf(options);

  // DNS, and whether the registry resolves to a private address (a private endpoint should).
  const Resolved resolved = resolve(target);
  if (!resolved.error.empty() || resolved.addresses.empty()) {
    checks.push_back({"DNS", Status::Fail, "cannot resolve " + target.host + ": " + resolved.error,
                      "check the name, this machine's DNS servers, and for a private endpoint that the "
                      "privatelink DNS zone is linked to this virtual network"});
    return checks;
  }
  const bool allPrivate = std::all_of(resolved.addresses.begin(), resolved.addresses.end(), isPrivateAddress);
  DoctorCheck dns{"DNS", Status::Pass,
                  target.host + " resolves to " + joined(resolved.addresses) +
                      (allPrivate ? " (private addresses: a private endpoint or an internal registry)"
                                  : " (public addresses: no private endpoint is used from here)"),
                  ""};
  if (!allPrivate && target.host.ends_with(".azurecr.io")) {
    dns.hint =
        "if the registry has a private endpoint, link its privatelink.azurecr.io DNS zone to this "
        "machine's virtual network so the name resolves to the private address";
  }
  checks.push_back(dns);

  // TCP connect, to the first address that answers.
  std::string tcpErrors;
  std::string connected;
  for (const auto& address : resolved.addresses) {
    const std::string reason = connectTo(address, target.port, options.connectTimeout);
    if (reason.empty()) {
      connected = address;
      break;
    }
    tcpErrors += (tcpErrors.empty() ? "" : "; ") + address + ": " + reason;
  }
  if (connected.empty()) {
    const bool timedOut = tcpErrors.find("timed out") != std::string::npos;
    checks.push_back({"TCP connect", Status::Fail, "cannot connect to port " + target.port + ": " + tcpErrors,
                      timedOut ? "a firewall, network security group or route drops the traffic; outbound "
                                 "HTTPS (443) to the registry must be allowed, or a proxy configured"
                               : "nothing accepts connections there: check the registry's address and port"});
    return checks;
  }
  checks.push_back({"TCP connect", Status::Pass, "connected to " + connected + ":" + target.port, ""});

  // TLS and the unauthenticated /v2/ answer.
  HttpOptions http = options.http;
  http.maxRetries = 0;
  CurlTransport transport(http);
  const std::string base = target.scheme + "://" + options.registry;
  HttpResponse ping;
  try {
    ping = transport.send({"GET", base + "/v2/", {}, ""});
  } catch (const HttpError& e) {
    const std::string message = e.what();
    if (target.scheme == "https" && isTlsProblem(message)) {
      checks.push_back({"TLS", Status::Fail, message,
                        http.caBundle.empty()
                            ? "the registry's certificate is not trusted by this machine's CA store: give "
                              "Hangar the issuing CA (the caBundle setting, or --ca-bundle FILE)"
                            : "the certificate does not verify against " + http.caBundle +
                                  ": is it the CA that issued the registry's certificate, and does the "
                                  "certificate name " +
                                  target.host + "?"});
    } else {
      checks.push_back({"/v2/ endpoint", Status::Fail, message,
                        "the server accepts connections but does not answer HTTP as a registry"});
    }
    return checks;
  }
  if (target.scheme == "https") {
    checks.push_back({"TLS", Status::Pass,
                      "certificate verified against " +
                          (http.caBundle.empty() ? std::string("the system CA store") : http.caBundle),
                      ""});
  } else {
    checks.push_back({"TLS", Status::Skip, "plain HTTP (a loopback or configured insecure registry)", ""});
  }

  const std::string challengeHeader = ping.header("www-authenticate");
  bool authenticationNeeded = false;
  if (ping.status == 200) {
    checks.push_back(
        {"/v2/ endpoint", Status::Pass, "answers without authentication (anonymous access)", ""});
  } else if (ping.status == 401) {
    const auto challenges = parseWwwAuthenticate(challengeHeader);
    if (challenges.empty()) {
      checks.push_back({"/v2/ endpoint", Status::Fail, "HTTP 401 without a WWW-Authenticate challenge",
                        "a proxy in the way may strip the header, or this is not a registry"});
      return checks;
    }
    const auto& challenge = challenges.front();
    std::string detail = "asks for " + challenge.scheme + " authentication";
    if (challenge.scheme == "bearer") {
      detail += " (token realm " + challenge.param("realm") + ", service " + challenge.param("service") + ")";
    }
    checks.push_back({"/v2/ endpoint", Status::Pass, detail, ""});
    authenticationNeeded = true;
  } else if (ping.status == 403) {
    checks.push_back(denial("/v2/ endpoint", ping));
    return checks;
  } else if (ping.status == 404) {
    checks.push_back({"/v2/ endpoint", Status::Fail, "HTTP 404: no registry API at " + base + "/v2/",
                      "the address is not an OCI/Docker registry (or a path-based proxy needs a prefix)"});
    return checks;
  } else {
    checks.push_back({"/v2/ endpoint", Status::Fail, statusText(ping),
                      ping.status >= 500 ? "the registry has a server-side problem: retry later"
                                         : "unexpected answer from the registry"});
    return checks;
  }

  // Credentials: which source has them (never their value).
  std::optional<Credential> credential;
  try {
    if (options.credentials) credential = options.credentials->credentialFor(options.registry);
  } catch (const std::exception& e) {
    checks.push_back({"credentials", Status::Fail,
                      "reading credentials from " + options.credentialSource + " failed: " + e.what(),
                      "fix the credential helper or the config file named above"});
    return checks;
  }
  const std::string source = options.credentialSource.empty() ? "no source" : options.credentialSource;
  if (!credential) {
    checks.push_back({"credentials", authenticationNeeded ? Status::Warn : Status::Pass,
                      "none for " + options.registry + " in " + source + ": anonymous access",
                      authenticationNeeded ? "log in (docker login / podman login write the config file), or "
                                             "configure a managed identity or service principal"
                                           : ""});
  } else {
    std::string kind =
        !credential->identityToken.empty() ? "an identity (refresh) token" : "a username and password";
    checks.push_back(
        {"credentials", Status::Pass, kind + " for " + options.registry + " from " + source, ""});
  }

  // Authentication and permissions, through the same authenticator the client uses.
  TokenAuthenticator auth(transport, credential ? options.credentials : nullptr, options.registry);
  const std::string repo = options.repository;
  try {
    const auto pinged = auth.send({"GET", base + "/v2/", {}, ""}, "");
    if (pinged.status == 200) {
      checks.push_back({"authentication", Status::Pass,
                        authenticationNeeded
                            ? (auth.tokenRequests() > 0 ? "token obtained from the realm and accepted"
                                                        : "credentials accepted")
                            : "not needed",
                        ""});
    } else {
      checks.push_back(denial("authentication", pinged));
      return checks;
    }
    const auto pulled =
        auth.send({"HEAD", base + "/v2/" + repo + "/manifests/latest", {{"Accept", "application/json"}}, ""},
                  "repository:" + repo + ":pull");
    if (pulled.status == 200 || pulled.status == 404) {
      checks.push_back({"pull permission", Status::Pass,
                        "may read " + repo + (pulled.status == 404 ? " (it has no 'latest' tag)" : ""), ""});
    } else {
      checks.push_back(denial("pull permission", pulled));
      return checks;
    }
    if (!options.checkPush) {
      checks.push_back({"push permission", Status::Skip, "not checked (use --check-push)", ""});
      return checks;
    }
    const auto upload = auth.send({"POST", base + "/v2/" + repo + "/blobs/uploads/", {}, ""},
                                  "repository:" + repo + ":pull,push");
    if (upload.status != 202) {
      checks.push_back(denial("push permission", upload));
      return checks;
    }
    std::string location = upload.header("location");
    if (!location.empty() && !location.starts_with("http")) location = base + location;
    if (!location.empty()) auth.send({"DELETE", location, {}, ""}, "repository:" + repo + ":pull,push");
    checks.push_back({"push permission", Status::Pass,
                      "may push to " + repo +
                          " (an upload was started and "
                          "cancelled; nothing was written)",
                      ""});
  } catch (const std::exception& e) {
    checks.push_back({"authentication", Status::Fail, e.what(),
                      "the token server refused the credentials: check them (expired secret, wrong tenant, "
                      "identity without a role on the registry)"});
  }
  return checks;
}

}  // namespace hangar::registry
