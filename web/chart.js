// One ECharts chart in a div that follows its option and the window's size. The chart is
// created once per div and updated with setOption, not made again on every render. ECharts (a
// megabyte of JavaScript) is loaded when the first chart of a page is drawn, not with the
// app: the dashboard draws its own charts (plot.js) and no longer compiles it on every load.
// Once it is in, a chart is made and updated in layout effects, before the browser paints:
// it shows in the same frame as the rest of its answer.
import { html, useEffect, useLayoutEffect, useRef, useState } from './vendor-preact-htm.js';

let lib = null; // the ECharts module, once asked for
const echartsLoaded = () => (lib ??= import('./vendor-echarts.js'));

export function Chart({ option, onClick, label, tall, small }) {
  const el = useRef(null);
  const chart = useRef(null);
  // the chart, once ECharts is in (a render then sets its option and click)
  const [ready, setReady] = useState(false);
  useLayoutEffect(() => {
    let gone = false, c = null;
    const resize = () => c?.resize();
    echartsLoaded().then((echarts) => {
      if (gone) return;
      c = echarts.init(el.current, null, { renderer: 'canvas' });
      chart.current = c;
      addEventListener('resize', resize);
      setReady(true);
    });
    return () => { gone = true; removeEventListener('resize', resize); c?.dispose(); chart.current = null; };
  }, []);
  // notMerge: series that went away must go from the chart too
  useLayoutEffect(() => { chart.current?.setOption(option, true); }, [option, ready]);
  useEffect(() => {
    const c = chart.current;
    if (!onClick || !c) return undefined;
    c.on('click', onClick);
    return () => c.off('click', onClick);
  }, [onClick, ready]);
  return html`<div class=${tall ? 'chart tall' : small ? 'chart spark' : 'chart'} ref=${el} role="img" aria-label=${label}></div>`;
}
