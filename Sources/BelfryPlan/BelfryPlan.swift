/// Placeholder until the module lands.
enum BelfryPlanModule {}
