import Testing

@Test func belfrystoreBuilds() { #expect(Bool(true)) }
