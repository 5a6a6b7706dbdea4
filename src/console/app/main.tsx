// Entry point of the web console: asks the server how to sign in, then renders.
import { render } from 'preact';
import { App } from './app.js';
import { loadSignInMode } from './sign-in-mode.js';
import './styles.css';

render(<App mode={await loadSignInMode()} />, document.getElementById('app')!);
