"""People: signing in, first-sign-in gates, the policy, users and the owner's approval."""
