namespace Gateway.Scripting.Modules;

/// <summary>An invalid operation of a domain module; its message reaches the script as a JS Error.</summary>
public sealed class ModuleException(string message) : Exception(message);
