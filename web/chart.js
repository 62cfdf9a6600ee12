// One ECharts chart in a div that follows its option and the window's size.
import { html, useEffect, useRef } from './vendor-preact-htm.js';
import * as echarts from './vendor-echarts.js';

export function Chart({ option, onClick, label, tall, small }) {
  const el = useRef(null);
  useEffect(() => {
    const chart = echarts.init(el.current, null, { renderer: 'canvas' });
    chart.setOption(option);
    if (onClick) chart.on('click', onClick);
    const resize = () => chart.resize();
    addEventListener('resize', resize);
    return () => { removeEventListener('resize', resize); chart.dispose(); };
  }, [option]);
  return html`<div class=${tall ? 'chart tall' : small ? 'chart spark' : 'chart'} ref=${el} role="img" aria-label=${label}></div>`;
}
