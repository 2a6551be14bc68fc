#!/usr/bin/env bash
# Builds the sandbox images locally: warmbox/sandbox-base and warmbox/runtime-{python,javascript,go,java}.
source "$(dirname "$0")/lib.sh"
ensure_docker_engine
ensure_base_image
build_images
