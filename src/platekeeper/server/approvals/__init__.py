"""Two-person approval of broad queries (issue 15, item 4): the department's thresholds, the
requests the gate holds back, and a supervisor's decision on them."""
