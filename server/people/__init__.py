"""People: users and tokens, profiles and ratings, skill gaps, the feed, skills in demand."""
