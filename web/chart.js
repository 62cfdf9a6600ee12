// One ECharts chart in a div that follows its option and the window's size. The chart is
// created once per div and updated with setOption, not made again on every render. Both
// happen in layout effects, before the browser paints: the chart shows in the same frame as
// the rest of its answer, not one or two frames later.
import { html, useEffect, useLayoutEffect, useRef } from './vendor-preact-htm.js';
import * as echarts from './vendor-echarts.js';

export function Chart({ option, onClick, label, tall, small }) {
  const el = useRef(null);
  const chart = useRef(null);
  useLayoutEffect(() => {
    const c = echarts.init(el.current, null, { renderer: 'canvas' });
    const resize = () => c.resize();
    chart.current = c;
    addEventListener('resize', resize);
    return () => { removeEventListener('resize', resize); c.dispose(); chart.current = null; };
  }, []);
  // notMerge: series that went away must go from the chart too
  useLayoutEffect(() => { chart.current.setOption(option, true); }, [option]);
  useEffect(() => {
    if (!onClick) return undefined;
    const c = chart.current;
    c.on('click', onClick);
    return () => c.off('click', onClick);
  }, [onClick]);
  return html`<div class=${tall ? 'chart tall' : small ? 'chart spark' : 'chart'} ref=${el} role="img" aria-label=${label}></div>`;
}
