"""网络教研 and 继续教育学时 (issue 18 items 2 and 3): research groups, their activities (集体备课, 听评课, 主题研讨)
and the training hours that participation earns. Decision: ``docs/decisions/0048-research.md``."""
