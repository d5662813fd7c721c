import Testing

@Test func belfrygitBuilds() { #expect(Bool(true)) }
