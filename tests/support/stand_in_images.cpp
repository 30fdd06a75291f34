#include "tests/support/stand_in_images.hpp"

namespace hangar::test {
namespace {

/// Like the official images' docker-entrypoint.sh: options go to PROGRAM, anything else is exec'd.
std::string entrypoint_script(const std::string& program) {
  return "#!/bin/sh\n"
         "if [ \"$#\" -eq 0 ] || [ \"${1#-}\" != \"$1\" ]; then\n"
         "  set -- " +
         program +
         " \"$@\"\n"
         "fi\n"
         "exec \"$@\"\n";
}

}  // namespace

BusyboxImageSpec hello_world_image() {
  BusyboxImageSpec spec;
  spec.name = "hello-world";
  spec.files["/hello"] =
      "#!/bin/sh\n"
      "echo\n"
      "echo 'Hello from Docker!'\n"
      "echo 'This message shows that your installation appears to be working correctly.'\n"
      "echo '(Hangar test stand-in built FROM scratch with busybox.)'\n";
  spec.cmd = {"/hello"};
  return spec;
}

BusyboxImageSpec bash_image() {
  BusyboxImageSpec spec;
  spec.name = "bash";
  spec.files["/usr/local/bin/docker-entrypoint.sh"] = entrypoint_script("sh");
  spec.files["/usr/local/bin/bash"] = "#!/bin/sh\nexec sh \"$@\"\n";
  spec.entrypoint = {"docker-entrypoint.sh"};
  spec.cmd = {"sh"};
  return spec;
}

BusyboxImageSpec nginx_image() {
  BusyboxImageSpec spec;
  spec.name = "nginx";
  spec.files["/usr/share/nginx/html/index.html"] =
      "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n"
      "<body><h1>Welcome to nginx!</h1><p>Hangar test stand-in: busybox httpd.</p></body></html>\n";
  spec.cmd = {"httpd", "-f", "-p", "80", "-h", "/usr/share/nginx/html"};
  return spec;
}

BusyboxImageSpec curl_image() {
  BusyboxImageSpec spec;
  spec.name = "curl";
  spec.files["/usr/bin/curl"] =
      "#!/bin/sh\n"
      "# A curl stand-in over busybox wget: enough of curl for the samples.\n"
      "out=-\n"
      "url=\n"
      "while [ \"$#\" -gt 0 ]; do\n"
      "  case \"$1\" in\n"
      "    -o|--output) out=\"$2\"; shift 2 ;;\n"
      "    --url) url=\"$2\"; shift 2 ;;\n"
      "    -m|--max-time|--connect-timeout|--retry|--retry-delay|-H|--header) shift 2 ;;\n"
      "    -*) shift ;;\n"
      "    *) url=\"$1\"; shift ;;\n"
      "  esac\n"
      "done\n"
      "[ -n \"$url\" ] || { echo 'curl: no URL specified' >&2; exit 2; }\n"
      "exec wget -q -O \"$out\" \"$url\"\n";
  spec.files["/usr/local/bin/docker-entrypoint.sh"] = entrypoint_script("curl");
  spec.entrypoint = {"docker-entrypoint.sh"};
  spec.cmd = {"curl"};
  return spec;
}

BusyboxImageSpec busybox_base_image() {
  BusyboxImageSpec spec;
  spec.name = "busybox";
  spec.cmd = {"sh"};
  return spec;
}

std::vector<StandInImage> mcr_stand_ins() {
  return {{"hello-world:latest", hello_world_image()},
          {"acr/bash:2ff604c", bash_image()},
          {"acr/curl:2ff604c", curl_image()},
          {"oss/nginx/nginx:1.15.5-alpine", nginx_image()}};
}

std::vector<StandInImage> docker_hub_stand_ins() {
  return {{"library/bash:3.0", bash_image()},
          {"library/curl:latest", curl_image()},
          {"library/hello-world:latest", hello_world_image()}};
}

void push_stand_ins(const std::vector<StandInImage>& images, const std::string& prefix) {
  for (const auto& image : images) build_and_push_busybox_image(image.spec, prefix + "/" + image.path);
}

}  // namespace hangar::test
