#pragma once

#include <string>
#include <string_view>

namespace hangar::registry {

/// A parsed image reference: registry host, repository path, tag and/or digest.
/// Parsing follows docker's normalised grammar (distribution/reference, ParseNormalizedNamed):
///   reference := [domain '/'] path [':' tag] ['@' digest]
/// The first '/'-separated component is a registry host when it contains '.' or ':', is "localhost",
/// or has an uppercase letter; otherwise the registry is docker.io. "index.docker.io" becomes
/// docker.io, and a single-component docker.io repository gets the "library/" prefix.
/// Repository components are [a-z0-9]+ joined by '.', '_', '__' or '-'+ (uppercase is an error);
/// tags match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; digests are sha256/sha384/sha512 with lowercase hex
/// of the algorithm's length. Hosts may carry a port and may be a bracketed IPv6 address ("[::1]:5000").
struct ImageReference {
  std::string registry;    // "docker.io", "127.0.0.1:5000", "myreg.azurecr.io"
  std::string repository;  // "library/busybox", "team/app"
  std::string tag;         // empty when absent
  std::string digest;      // "sha256:...", empty when absent

  /// Parses; throws std::invalid_argument with a message naming the reference and the rule broken.
  static ImageReference parse(std::string_view text);
  /// registry/repository, e.g. "docker.io/library/busybox".
  std::string name() const;
  /// The full normalised form: name, then ":tag" and "@digest" when present.
  std::string str() const;
  /// A copy with tag "latest" when neither a tag nor a digest is present; otherwise an unchanged copy.
  ImageReference withDefaultTag() const;

  friend bool operator==(const ImageReference&, const ImageReference&) = default;
};

/// True for 127.0.0.0/8, ::1 and localhost (with or without port): registries that may use plain HTTP.
bool isLoopbackRegistry(std::string_view host);

}  // namespace hangar::registry
