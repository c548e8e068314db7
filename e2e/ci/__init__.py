"""CI support: failure classes, reruns, shards, the version matrix, reproduction bundles and the sweep."""
