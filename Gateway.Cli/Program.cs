using Gateway.Cli;

return await Gw.RunAsync(args);
