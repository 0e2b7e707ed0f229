// Load generator for Gateway; modes and figures arrive with the benchmark work.
Console.Error.WriteLine("Gateway.Bench: no benchmark modes yet.");
return 2;
