/// Placeholder until the module lands.
enum BelfryStoreModule {}
