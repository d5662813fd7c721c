/// Placeholder until the module lands.
enum BelfryGitModule {}
