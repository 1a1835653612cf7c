"""SafetyWalk: a field app for safety walks (trygghetsvandring)."""
