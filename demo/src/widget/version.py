# The version the next release will have; `git release` advances it after a sprint release.
NEXT_RELEASE_VERSION = "1.4.0"
