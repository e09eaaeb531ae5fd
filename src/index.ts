import { app } from '@azure/functions';

// Only app-wide setup lives here; each file in src/functions registers its own functions.
app.setup({ enableHttpStream: false });
