"""The public transparency page (Policy 438.2.1(g)): the posted policy and aggregate figures."""
