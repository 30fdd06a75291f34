#!/bin/sh
echo "Hello from Hangar!"
echo "This container runs the image that the build step made and the push step sent to the registry."
