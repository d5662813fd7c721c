import Testing

@Test func belfryplanBuilds() { #expect(Bool(true)) }
