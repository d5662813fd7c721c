#!/bin/sh
# Check the manifests: schemas and cross-object rules, one located line per problem.
# Exit status 0 valid, 1 invalid, 2 usage error.
belfry validate config
