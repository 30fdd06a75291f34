#pragma once

#include <string>
#include <vector>

#include "tests/support/busybox_image.hpp"

namespace hangar::test {

/// Busybox stand-ins for the public images the conformance samples run (see shared conformance README),
/// since base images cannot be pulled from the internet here.

/// hello-world: CMD ["/hello"], prints a text that contains "Hello from Docker!".
BusyboxImageSpec hello_world_image();
/// acr/bash: ENTRYPOINT runs `sh ARGS` when there are no arguments or the first starts with '-', else
/// execs the arguments (like the official bash image); /usr/local/bin/bash runs sh.
BusyboxImageSpec bash_image();
/// nginx: busybox `httpd -f -p 80` serving /usr/share/nginx/html/index.html ("Welcome to nginx!").
BusyboxImageSpec nginx_image();
/// curl: a /usr/bin/curl script over busybox wget for `curl [-sSfL] [-o FILE] [--url] URL`; the entrypoint
/// prepends `curl` when the first argument starts with '-'.
BusyboxImageSpec curl_image();
/// A plain busybox base: CMD ["sh"].
BusyboxImageSpec busybox_base_image();

/// One stand-in and the repository path (with tag) it takes under a mirror prefix.
struct StandInImage {
  std::string path;  ///< e.g. "acr/bash:2ff604c"
  BusyboxImageSpec spec;
};

/// The stand-ins at the paths of mcr.microsoft.com that the samples and the default aliases use:
/// hello-world:latest, acr/bash:2ff604c, acr/curl:2ff604c, oss/nginx/nginx:1.15.5-alpine.
std::vector<StandInImage> mcr_stand_ins();
/// The stand-ins at Docker Hub paths: library/bash:3.0, library/curl:latest, library/hello-world:latest.
std::vector<StandInImage> docker_hub_stand_ins();

/// Builds and pushes each stand-in to PREFIX/PATH, e.g. prefix "127.0.0.1:5000/mcr".
void push_stand_ins(const std::vector<StandInImage>& images, const std::string& prefix);

}  // namespace hangar::test
