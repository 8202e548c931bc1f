"""The editorial desk: review, accept, decline, desk, pr-summary and the GitHub workflows."""
