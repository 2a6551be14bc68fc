#!/usr/bin/env bash
# Builds the images locally: warmbox/sandbox-base, warmbox/runtime-{python,javascript,go,java} and
# warmbox/devenv-sample.
source "$(dirname "$0")/lib.sh"
ensure_docker_engine
ensure_base_image
build_images
