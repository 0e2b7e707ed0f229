namespace Gateway.Scripting.Modules;

/// <summary>
/// An invalid operation of a domain module; its message reaches the script as a catchable error
/// (a JS <c>Error</c>, or the string a Rhai <c>catch</c> receives).
/// </summary>
public sealed class ModuleException(string message) : Exception(message);
