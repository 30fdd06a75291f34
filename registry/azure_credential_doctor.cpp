#include "registry/azure_credential_doctor.hpp"

#include <memory>
#include <stdexcept>

#include "registry/azure_http.hpp"
#include "registry/client_certificate_credential.hpp"

namespace hangar::registry {
namespace {

using Clock = std::chrono::system_clock;

std::string identityName(const ManagedIdentityId& id) {
  if (!id.clientId.empty()) return "managed identity (client_id " + id.clientId + ")";
  if (!id.objectId.empty()) return "managed identity (object_id " + id.objectId + ")";
  if (!id.resourceId.empty()) return "managed identity (msi_res_id " + id.resourceId + ")";
  return "system-assigned managed identity";
}

// Whether `url` answers HTTP at all (any status): the endpoint is reachable.
DoctorCheck reachability(const std::string& name, const std::string& url, bool bypassProxy,
                         const std::string& hint) {
  DoctorCheck check{name, DoctorCheck::Status::Pass, "", ""};
  AzureHttpRequest request;
  request.url = url;
  request.timeout = std::chrono::seconds(5);
  request.connectTimeout = std::chrono::seconds(3);
  request.bypassProxy = bypassProxy;
  try {
    const auto response = sendAzureRequest(request);
    check.detail = urlForMessages(url) + " answers (HTTP " + std::to_string(response.status) + ")";
  } catch (const std::exception& e) {
    check.status = DoctorCheck::Status::Fail;
    check.detail = e.what();
    check.hint = hint;
  }
  return check;
}

DoctorCheck tokenCheck(const std::string& name, TokenCredential& credential, const std::string& resource,
                       const TokenCredentialOptions& options, const std::string& hint) {
  DoctorCheck check{name, DoctorCheck::Status::Pass, "", ""};
  try {
    const auto token = credential.getToken(resource);
    const auto minutes =
        std::chrono::duration_cast<std::chrono::minutes>(token.expiresOn - options.now()).count();
    check.detail = "token obtained for " + resource + ", valid for " + std::to_string(minutes) + " min";
  } catch (const std::exception& e) {
    check.status = DoctorCheck::Status::Fail;
    check.detail = e.what();  // the credentials' errors never carry a token or a secret
    check.hint = hint;
  }
  return check;
}

}  // namespace

std::vector<DoctorCheck> diagnoseAzureCredential(const AzureCredentialSource& source,
                                                 TokenCredentialOptions options) {
  // A doctor answers quickly: a single IMDS attempt, no 70 s wait for an updating IMDS.
  options.retry.maxAttempts = 1;
  options.requestTimeout = std::min(options.requestTimeout, std::chrono::milliseconds(10'000));
  std::vector<DoctorCheck> checks;
  if (source.kind == AzureCredentialSource::Kind::ManagedIdentity) {
    const std::string who = identityName(source.identity);
    checks.push_back(reachability("IMDS reachable", source.endpoints.imdsUrl + "/metadata", true,
                                  "IMDS (169.254.169.254) only answers on an Azure VM, directly: make sure "
                                  "this is an Azure VM and that "
                                  "no firewall or proxy setting intercepts 169.254.169.254"));
    if (checks.back().status == DoctorCheck::Status::Fail) {
      checks.push_back({"managed identity token", DoctorCheck::Status::Skip, "IMDS is not reachable", ""});
      return checks;
    }
    try {
      ManagedIdentityCredential credential(source.endpoints.imdsUrl, source.identity, options);
      checks.push_back(tokenCheck(
          "managed identity token", credential, source.resource, options,
          "assign the " + who +
              " to this VM (Identity blade, or `az vm identity assign`), check the id in the agent "
              "configuration, and grant it AcrPull (AcrPush to push) on the registry"));
    } catch (const std::invalid_argument& e) {
      checks.push_back({"managed identity token", DoctorCheck::Status::Fail, e.what(),
                        "set at most one of client_id, object_id, resource_id"});
    }
    return checks;
  }
  checks.push_back(reachability(
      "AAD token endpoint reachable",
      source.endpoints.authorityHost + "/" + source.tenantId + "/v2.0/.well-known/openid-configuration",
      false,
      "the VM must reach " + urlForMessages(source.endpoints.authorityHost) +
          " over HTTPS (outbound firewall, proxy, or the authorityHost setting for a sovereign cloud)"));
  if (checks.back().status == DoctorCheck::Status::Fail) {
    checks.push_back({"service principal token", DoctorCheck::Status::Skip,
                      "the AAD token endpoint is not reachable", ""});
    return checks;
  }
  if (!source.unreadable.empty()) {
    checks.push_back({"service principal token", DoctorCheck::Status::Fail, source.unreadable,
                      "make the file readable by the agent's user only (chmod 600, owned by that user)"});
    return checks;
  }
  const bool withCertificate = !source.certificatePem.empty();
  try {
    std::unique_ptr<TokenCredential> credential;
    if (withCertificate) {
      credential = std::make_unique<ClientCertificateCredential>(
          source.endpoints.authorityHost, source.tenantId, source.clientId,
          ClientCertificate::fromPem(source.certificatePem, source.certificateFile), options);
    } else {
      credential = std::make_unique<ClientSecretCredential>(source.endpoints.authorityHost, source.tenantId,
                                                            source.clientId, source.clientSecret, options);
    }
    checks.push_back(tokenCheck(
        "service principal token", *credential, source.resource, options,
        "check the tenant id, the client id " + source.clientId +
            (withCertificate ? " and that this certificate is registered on the app (expired? "
                             : " and its secret (expired? ") +
            "`az ad app credential list`), and grant the service principal AcrPull (AcrPush to push) on the "
            "registry"));
  } catch (const std::invalid_argument& e) {
    checks.push_back({"service principal token", DoctorCheck::Status::Fail, e.what(),
                      withCertificate
                          ? "the file must hold the certificate and its unencrypted RSA key in PEM "
                            "(`az ad sp create-for-rbac --create-cert` writes one)"
                          : "set tenant_id and client_id of the service principal"});
  }
  return checks;
}

}  // namespace hangar::registry
