"""The baseline: a trivial Django view under the same server configuration as Concerto."""
