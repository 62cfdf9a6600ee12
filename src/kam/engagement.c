#include <string.h>
#include "kam/engagement.h"

int64_t case_sla_due(int64_t opened, int hours)
{
	return opened + (int64_t)hours * 3600;
}

bool case_sla_breached(int64_t opened, int hours, int64_t resolved, int64_t now)
{
	int64_t due = case_sla_due(opened, hours);

	return resolved > 0 ? resolved > due : now > due;
}

int risk_score(int probability, int impact)
{
	return probability * impact;
}

const char *risk_level(int score)
{
	return score <= 4 ? "low" : score <= 9 ? "medium" : score <= 15 ? "high" : "critical";
}

bool survey_score_ok(const char *kind, int score)
{
	if (kind && !strcmp(kind, "csat"))
		return score >= 1 && score <= 5;
	return score >= 0 && score <= 10;
}

const char *survey_nps_category(int score)
{
	return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
}
