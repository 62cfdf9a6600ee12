/* /api/v1/forecast and its drill-down, history and targets (app/forecast.h). */
#ifndef KAM_API_FORECAST_H
#define KAM_API_FORECAST_H
#include "api/api.h"

/* GET /api/v1/forecast?quarter=&by=kam|team|portfolio */
int api_forecast(struct req *rq, struct resp *rs);
/* GET /api/v1/forecast/opportunities?quarter=&owner_id=&category= */
int api_forecast_opportunities(struct req *rq, struct resp *rs);
/* GET /api/v1/forecast/history?quarter= */
int api_forecast_history(struct req *rq, struct resp *rs);
/* GET /api/v1/forecast/targets?quarter= */
int api_forecast_targets_get(struct req *rq, struct resp *rs);
/* PUT /api/v1/forecast/targets {quarter, targets: [{user_id, amount}]} */
int api_forecast_targets_put(struct req *rq, struct resp *rs);

#endif
